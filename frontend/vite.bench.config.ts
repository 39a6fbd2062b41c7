import { defineConfig } from "vite";

// The benchmark-only entry (bench/world-view.html): built beside the app into dist-bench/, which is
// not among Django's static directories; benchmarks/world_view.py serves it to its own browser.
export default defineConfig({
  root: "bench",
  base: "/bench/",
  build: {
    outDir: "../dist-bench",
    emptyOutDir: true,
    // The 3D renderers bring three.js (~560 kB), as in the app.
    chunkSizeWarningLimit: 600,
    rollupOptions: { input: "bench/world-view.html" },
  },
});
