export { createServer, stopServer, sendJson, type ServerOptions } from "./server.ts";
export { buildOpenApiDocument, REST_BASE_PATH } from "./openapi.ts";
export { toRestError, type RestError } from "./rest.ts";
export { loadConfig, EnvError, defaultWebDistDir, type AppConfig } from "./env.ts";
export { createLogger } from "./logger.ts";
