/**
 * Runs in a process of its own (tests/unit/protobuf-struct.test.ts starts it): the codec
 * replaces google-protobuf's functions on the one instance a process has, and the library
 * keeps its classes on a global namespace, so a second copy of the library in the same
 * process would not stay independent. Here the library's results come first, on generated
 * objects, through every path the SDK takes; then the codec is installed and the same
 * inputs give its results. Prints one JSON line: the cases compared per path and the
 * first mismatches.
 *
 *   node -r ts-node/register/transpile-only tests/support/struct-codec-compare.ts <seed> <objects>
 */
import * as assert from "assert";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jspb = require("google-protobuf");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structs = require("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resources = require("@pulumi/pulumi/proto/resource_pb");
import { useFastStructCodec } from "../../components/protobuf-struct";
import { seededRandom } from "./seeded-random";

const [seed, count] = process.argv.slice(2).map(Number);

const { random, pick } = seededRandom(seed);

const KEYS = ["", "a", "b", "name", "spec", "f:metadata", 'k:{"type":"Ready"}', "app.kubernetes.io/name", "Ä", "🙂", "10", "2", "__proto__", "constructor", "z".repeat(40)];
const STRINGS = ["", "x", "RuntimeDefault", "ünïcode ✓", "🙂🙂", "line\nbreak", "a".repeat(300), "-0"];
const NUMBERS = [0, -0, 1, -1, 3.5, 1e21, -(2 ** 53), 2 ** 31, 0.1, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];

function generate(depth: number, object = false): unknown {
    const kind = object ? 5 : depth <= 0 ? Math.floor(random() * 4) : Math.floor(random() * 6);
    switch (kind) {
        case 0:
            return pick(STRINGS);
        case 1:
            return pick(NUMBERS);
        case 2:
            return random() < 0.5;
        case 3:
            return null;
        case 4:
            return Array.from({ length: Math.floor(random() * 4) }, () => generate(depth - 1));
        default: {
            const object: Record<string, unknown> = {};
            // defineProperty: an own "__proto__" key, as JSON.parse makes one.
            for (let i = Math.floor(random() * 5); i > 0; i--)
                Object.defineProperty(object, pick(KEYS), { value: generate(depth - 1), enumerable: true, writable: true, configurable: true });
            return object;
        }
    }
}

// The top level of a Struct is an object; the first cases are the edges, then generated trees.
const inputs: Record<string, unknown>[] = [{}, { a: {} }, { a: [] }, { a: [[[]]] }, { a: null, b: [null, {}] }];
for (let i = 0; i < count; i++) inputs.push(generate(1 + Math.floor(random() * 9), true) as Record<string, unknown>);

type Results = Record<string, unknown[]>;

// The engine's maps arrive in any order (Go's encoder does not sort them), and a map may
// repeat a key: the entries in reverse, then the first key again, which must win.
function unorderedBytes(object: Record<string, unknown>): Uint8Array {
    const writer = new jspb.BinaryWriter();
    const emit = (key: string, value: unknown) => {
        writer.beginSubMessage(1);
        writer.writeString(1, key);
        writer.writeMessage(2, structs.Value.fromJavaScript(value), structs.Value.serializeBinaryToWriter);
        writer.endSubMessage();
    };
    const keys = Object.keys(object).reverse();
    for (const key of keys) emit(key, object[key]);
    if (keys.length > 0) emit(keys[keys.length - 1], "written again, last");
    return writer.getResultBuffer();
}

function run(): Results {
    const out: Results = { encode: [], decode: [], unordered: [], roundTrip: [], request: [], response: [], valueApi: [], edited: [], refused: [] };
    for (const object of inputs) {
        const bytes: Uint8Array = structs.Struct.fromJavaScript(object).serializeBinary();
        out.encode.push(Buffer.from(bytes).toString("base64"));
        out.decode.push(structs.Struct.deserializeBinary(bytes).toJavaScript());
        const unordered = structs.Struct.deserializeBinary(unorderedBytes(object));
        out.unordered.push([unordered.toJavaScript(), Buffer.from(unordered.serializeBinary()).toString("base64")]);
        out.roundTrip.push(structs.Struct.fromJavaScript(object).toJavaScript());
        // The SDK's own messages: a registration sent, an answer received.
        const request = new resources.RegisterResourceRequest();
        request.setType("x:y:Z");
        request.setObject(structs.Struct.fromJavaScript(object));
        const requestBytes: Uint8Array = request.serializeBinary();
        out.request.push(Buffer.from(requestBytes).toString("base64"));
        const response = new resources.RegisterResourceResponse();
        response.setUrn("urn:x");
        response.setObject(structs.Struct.deserializeBinary(bytes));
        out.response.push(resources.RegisterResourceResponse.deserializeBinary(response.serializeBinary()).getObject().toJavaScript());
        // runtime/resource.js reads getResource's answer through the Value API.
        const wrapped = structs.Struct.fromJavaScript({ state: object, n: 1 });
        const decoded = structs.Struct.deserializeBinary(wrapped.serializeBinary()).getFieldsMap();
        out.valueApi.push([decoded.get("state").getStructValue().toJavaScript(), decoded.get("n").toJavaScript(), decoded.get("state").getKindCase()]);
        // A message changed through the library's setters after it was built.
        const edited = structs.Struct.fromJavaScript(object);
        edited.getFieldsMap().set("added", structs.Value.fromJavaScript({ list: [1, "two", null] }));
        out.edited.push([Buffer.from(edited.serializeBinary()).toString("base64"), edited.toJavaScript()]);
    }
    for (const bad of [{ a: undefined }, { a: [() => 1] }, { a: { b: BigInt(1) } }]) {
        try {
            structs.Struct.fromJavaScript(bad);
            out.refused.push("accepted");
        } catch (e) {
            out.refused.push(String((e as Error).message));
        }
    }
    return out;
}

// Numbers compare as JSON would lose them: NaN, -0 and the infinities by Object.is.
function same(a: unknown, b: unknown): boolean {
    try {
        assert.deepStrictEqual(a, b);
    } catch {
        return false;
    }
    // deepStrictEqual ignores key order; the library's objects come out in sorted order.
    return JSON.stringify(a) === JSON.stringify(b);
}

const library = run();
const installed = useFastStructCodec();
const codec = run();
const compared: Record<string, number> = {};
const mismatches: Array<{ path: string; input: number; library: unknown; codec: unknown }> = [];
for (const key of Object.keys(library)) {
    compared[key] = library[key].length;
    library[key].forEach((value, i) => {
        if (!same(value, codec[key][i]) && mismatches.length < 5) mismatches.push({ path: key, input: i, library: value, codec: codec[key][i] });
    });
}
process.stdout.write(JSON.stringify({ installed, compared, mismatches }, (_, v) => (typeof v === "bigint" ? String(v) : v)) + "\n");
