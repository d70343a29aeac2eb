// Vite: React, a dev proxy to the API server, and chunks split so the contacts page stays small
// (insights + recharts load only when an analyst opens the Insights route).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const apiTarget = process.env.API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/trpc": { target: apiTarget, changeOrigin: true },
      "/api": { target: apiTarget, changeOrigin: true },
    },
  },
  build: {
    outDir: "dist",
    // The budget script reads .vite/manifest.json to sum the contacts page's initial JS.
    manifest: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Vendor groups change rarely, so they cache across deploys. recharts gets no group: automatic
        // splitting keeps it in the lazy insights chunk, out of the contacts page.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/ },
            { name: "data", test: /node_modules[\\/](@tanstack|@trpc)[\\/]/ },
          ],
        },
      },
    },
  },
});
