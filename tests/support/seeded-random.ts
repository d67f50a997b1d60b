/**
 * A small seeded generator (mulberry32) for the comparison scripts' generated inputs, so
 * a mismatch is reproducible from its seed. `reset()` starts the same sequence again.
 */
export function seededRandom(seed: number) {
    let state = seed >>> 0;
    const random = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const reset = () => {
        state = seed >>> 0;
    };
    return { random, pick, reset };
}
