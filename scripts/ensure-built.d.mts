export declare const ROOT: string;
export declare const BUILD_SOURCES: readonly string[];
export declare const BUILD_OUTPUTS: readonly string[];
export declare const BUILD_TIMEOUT_MS: number;
export declare function allBuilt(root?: string): boolean;
export declare function buildIsStale(root?: string): boolean;
export declare function build(root?: string, options?: { quiet?: boolean }): void;
export declare function ensureBuilt(root?: string): boolean;
