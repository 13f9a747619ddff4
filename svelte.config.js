/** Svelte 5 strips `lang="ts"` type annotations itself; no preprocessor is needed. */
export default {
  compilerOptions: { runes: true },
};
