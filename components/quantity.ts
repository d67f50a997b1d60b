/**
 * Kubernetes resource quantities ("500m", "2", "4Gi", "1Ti", "1e3"), parsed the way
 * apimachinery's resource.ParseQuantity accepts them. The plan arithmetic (does a
 * tenant fit its quota?) needs exact comparisons, so values become numbers of base
 * units; no maintained CommonJS library offers this without pulling in a whole client.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

// Same grammar as apimachinery: sign, digits with optional fraction, then one suffix.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The rule a quantity must satisfy, as shown in validation errors. */
export const QUANTITY_RULE = "must be a Kubernetes quantity such as 500m, 2, 512Mi or 10Gi";

export function isQuantity(value: unknown): value is string {
    return typeof value === "string" && QUANTITY.test(value);
}

/** Value of a quantity in base units (cores, bytes); throws on malformed input. */
export function parseQuantity(value: string | number): number {
    if (typeof value === "number") {
        return value;
    }
    const match = QUANTITY.exec(value);
    if (!match) {
        throw new Error(`"${value}" ${QUANTITY_RULE}`);
    }
    const [, number, suffix = ""] = match;
    const n = Number(number);
    if (suffix in BINARY) {
        return n * BINARY[suffix];
    }
    if (suffix in DECIMAL) {
        return n * DECIMAL[suffix];
    }
    return n * 10 ** Number(suffix.slice(1));
}

/** Human form for error messages: cores with up to 3 decimals, bytes in the largest exact binary unit. */
export function formatQuantity(value: number, kind: "cpu" | "bytes" | "count"): string {
    if (kind === "cpu") {
        return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
    }
    if (kind === "bytes") {
        for (const unit of ["Ti", "Gi", "Mi", "Ki"]) {
            if (value >= BINARY[unit] && value % BINARY[unit] === 0) {
                return `${value / BINARY[unit]}${unit}`;
            }
        }
    }
    return String(value);
}
