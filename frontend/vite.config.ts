import { defineConfig } from "vitest/config";

// Django serves the build from /static/ (STATICFILES_DIRS includes frontend/dist) and finds the
// hashed file names in the manifest (frontend/templatetags/vite.py).
export default defineConfig({
  base: "/static/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    rollupOptions: { input: { app: "src/main.ts" } },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
