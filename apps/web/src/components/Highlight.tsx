/** Marks each word of the search query inside a text (case-insensitive) so ranked matches show why they matched. */
export function Highlight({ text, query }: { text: string | null | undefined; query: string }) {
  if (!text) return <span className="muted">—</span>;
  const words = query
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (words.length === 0) return <>{text}</>;
  const parts = text.split(new RegExp(`(${words.join("|")})`, "gi"));
  return (
    <>
      {parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}
    </>
  );
}
