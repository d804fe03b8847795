/** Types of scripts/build.mjs (plain JavaScript: it runs before palisade is compiled). */
export declare const ROOT: string;
export declare const BUILD_DIR: string;
export declare function isStale(): boolean;
export declare function build(): Promise<number>;
export declare function ensureBuilt(opts?: { force?: boolean; log?: (message: string) => void }): Promise<number>;
