import * as assert from "assert";
import { isQuantity, parseQuantity } from "../../components/quantity";

describe("Kubernetes quantities", () => {
    it("reads the suffixes the API server accepts", () => {
        assert.strictEqual(parseQuantity("500m"), 0.5);
        assert.strictEqual(parseQuantity("2"), 2);
        assert.strictEqual(parseQuantity("4Gi"), 4 * 1024 ** 3);
        assert.strictEqual(parseQuantity("1Ti"), 1024 ** 4);
        assert.strictEqual(parseQuantity("1k"), 1000);
        assert.strictEqual(parseQuantity("1e3"), 1000);
        assert.strictEqual(parseQuantity(".5"), 0.5);
    });
    it("rejects what the API server rejects", () => {
        for (const bad of ["5 gigs", "1GB", "Gi", "", "1.2.3", "-"]) assert.strictEqual(isQuantity(bad), false, bad);
        assert.throws(() => parseQuantity("1GB"), /must be a Kubernetes quantity/);
    });
});
