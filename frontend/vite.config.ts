import { defineConfig } from "vitest/config";

// Django serves the build from /static/ (STATICFILES_DIRS includes frontend/dist) and finds the
// hashed file names in the manifest (frontend/templatetags/vite.py).
export default defineConfig({
  base: "/static/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    // three.js (the 3D world view) is one lazily loaded chunk of ~560 kB (~140 kB gzipped).
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: { app: "src/app/main.ts", sw: "src/app/sw.ts" },
      // The service worker keeps a fixed name: Django serves it at /sw.js so its scope is the site.
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
