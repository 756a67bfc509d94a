import { defineConfig } from "vitest/config";

// Unit tests cover pure modules (the OpenAPI helpers, formatting); no DOM needed.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
