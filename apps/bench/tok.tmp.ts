import { signAccessToken } from "@switchboard/api";
import postgres from "postgres";
const sql = postgres("postgres://postgres@127.0.0.1:5432/sb_bench");
const [u] = await sql`select id, email from users where email = 'demo@switchboard.test'`;
console.log(await signAccessToken({ secret: new TextEncoder().encode("0123456789abcdef0123456789abcdef0123"), ttlSeconds: 3600 }, u as { id: string; email: string }));
await sql.end();
