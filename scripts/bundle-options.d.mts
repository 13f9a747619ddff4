export declare const NODE_EXTERNAL: string[];
export declare const NODE_SOURCE_OPTIONS: {
  minifyWhitespace: boolean;
  charset: 'ascii';
  legalComments: 'none';
};
export declare const ESM_REQUIRE_BANNER: string;
export declare const CJS_IMPORT_META: {
  banner: { js: string };
  define: Record<string, string>;
};
