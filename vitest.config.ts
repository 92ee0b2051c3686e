import { defineConfig } from 'vitest/config';

// Tests run in forked processes: each file gets its own tfjs engine and wasm heap, so a test that
// leaks tensors cannot hide behind another file's state.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
