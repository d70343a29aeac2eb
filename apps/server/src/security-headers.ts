// Security headers for every response, with helmet (its middleware runs on plain node:http).
// One policy for the web app and the API: the app is same-origin only (its scripts, styles, fetches),
// nothing may frame it, browsers must not sniff types, and no URL leaks through Referer.
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";

/**
 * The CSP the built web app runs under (apps/web/e2e/security.e2e.ts asserts Chromium reports no
 * violation while the whole app is used). No 'unsafe-inline' anywhere: Vite emits external module
 * scripts and stylesheets; React sets styles through the CSSOM, which style-src does not govern.
 * img-src allows data: for the inline SVG favicon and blob: for generated downloads.
 */
export const contentSecurityPolicy = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:", "blob:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

const applyHelmet = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
  frameguard: { action: "deny" }, // X-Frame-Options for browsers without frame-ancestors
  referrerPolicy: { policy: "no-referrer" },
  // HSTS is only honoured over HTTPS (behind a TLS proxy); harmless on plain HTTP in development.
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
});

/** Sets the headers on `res`; the route handler then writes its own (e.g. content-type). */
export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse, opts: { personalData: boolean }) {
  applyHelmet(req, res, () => {});
  // Responses that can carry personal data (all of /trpc and /api) must not be stored by browsers or proxies.
  if (opts.personalData) res.setHeader("cache-control", "no-store");
}
