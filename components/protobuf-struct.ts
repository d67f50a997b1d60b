/**
 * Every object the program registers travels to the engine as a `google.protobuf.Struct`,
 * and every answer comes back as one: the SDK builds them with google-protobuf's
 * `Struct.fromJavaScript` and reads them with `toJavaScript`. In google-protobuf 3.21.4
 * (the last 3.x, which the SDK takes by range) building one and decoding one from the wire
 * are quadratic in the object's depth: setting a nested Struct, list or map entry copies
 * that child's whole subtree into its backing array, at every level; and reading one makes
 * a wrapper message for every value. A Deployment is ten levels deep, and its live state,
 * which the engine sends back for every resource in every run, carries the
 * `managedFields` trees besides (README: Scale, for what this cost and what it saves).
 *
 * This module replaces the codec's entry points (fromJavaScript and toJavaScript of Struct,
 * Value and ListValue; Struct's binary writer and reader), on the google-protobuf instance
 * the SDK itself loads, with ones that build and read the messages' backing arrays. The
 * messages stay genuine google-protobuf messages (every getter, setter and the library's
 * own serializer work on them), and the bytes on the wire are the same byte for byte:
 * tests/unit/protobuf-struct.test.ts compares both codecs on generated objects, through
 * every path the SDK uses.
 *
 * It installs only on the version it was checked against, and only when the SDK resolves
 * the same google-protobuf as this project; anywhere else the library's own code stays.
 * NEURALLOG_LIBRARY_STRUCT=1 keeps the library's code too (to rule this out in a bug).
 */
import * as path from "path";

// The backing arrays of google-protobuf 3.x messages, as `new Message(array)` takes them
// and `message.toArray()` returns them (field n at index n - 1, unset fields undefined):
//   Struct    [entries]              entries: [key, ValueArray][], a map<string, Value>
//   Value     [null, number, string, bool, StructArray, ListArray]   one of them set
//   ListValue [ValueArray[]]
type ValueArray = unknown[];
type StructArray = [Array<[string, ValueArray]>?];
type ListArray = [ValueArray[]?];

interface Message {
    toArray(): unknown[];
}
interface MessageClass<T extends Message = Message> {
    new (data?: unknown[]): T;
    fromJavaScript(value: unknown): T;
    serializeBinaryToWriter(message: T, writer: Writer): void;
    deserializeBinaryFromReader(message: T, reader: Reader): T;
    prototype: T & { toJavaScript(): unknown };
}
interface Writer {
    beginSubMessage(field: number): void;
    endSubMessage(): void;
    writeString(field: number, value: string): void;
    writeEnum(field: number, value: number): void;
    writeDouble(field: number, value: number): void;
    writeBool(field: number, value: boolean): void;
    writeMessage<T>(field: number, value: T, write: (value: T, writer: Writer) => void): void;
}
interface Reader {
    nextField(): boolean;
    isEndGroup(): boolean;
    getFieldNumber(): number;
    skipField(): void;
    readString(): string;
    readEnum(): number;
    readDouble(): number;
    readBool(): boolean;
    readMessage<T>(target: T, read: (target: T, reader: Reader) => void): void;
}
interface Jspb {
    Message: { setField(message: Message, field: number, value: unknown): void };
}
interface StructModule {
    Struct: MessageClass;
    Value: MessageClass;
    ListValue: MessageClass;
}

/** The google-protobuf release these codecs were compared against, byte for byte. */
export const CHECKED_VERSION = "3.21.4";

// ---- JavaScript → backing arrays (Struct.fromJavaScript) --------------------------------

function valueArray(value: unknown): ValueArray {
    switch (typeof value) {
        case "string":
            return [undefined, undefined, value];
        case "number":
            return [undefined, value];
        case "boolean":
            return [undefined, undefined, undefined, value];
        case "object":
            if (value === null) return [0];
            if (Array.isArray(value)) return [undefined, undefined, undefined, undefined, undefined, listArray(value)];
            return [undefined, undefined, undefined, undefined, structArray(value as Record<string, unknown>)];
    }
    // The library's own message, for the same input (undefined, a function, a bigint).
    throw new Error("Unexpected struct type.");
}

function listArray(values: unknown[]): ListArray {
    const out: ValueArray[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = valueArray(values[i]);
    return [out];
}

function structArray(object: Record<string, unknown>): StructArray {
    const entries: Array<[string, ValueArray]> = [];
    // for-in, as the library iterates: inherited enumerable keys included.
    for (const key in object) entries.push([key, valueArray(object[key])]);
    return [entries];
}

// ---- backing arrays → JavaScript (toJavaScript) ------------------------------------------

// A map keeps the last of duplicate keys and is read in sorted key order (jspb.Map), so
// the objects come out with their keys in the same order as the library's. jspb.Map holds
// its entries in a plain object, where a "__proto__" key is lost: so it is here.
function sortedEntries(struct: StructArray | undefined): Array<[string, ValueArray]> {
    const entries = struct?.[0];
    if (!entries || entries.length === 0) return [];
    // What this codec and the library write: unique keys, in order. The engine's maps come
    // in any order.
    let ordered = true;
    for (let i = 0; i < entries.length && ordered; i++) {
        const key = entries[i][0];
        ordered = typeof key === "string" && key !== "__proto__" && (i === 0 || entries[i - 1][0] < key);
    }
    if (ordered) return entries;
    // A stable sort keeps equal keys in their order; the last of each run wins.
    const sorted = entries
        .filter((entry) => String(entry[0]) !== "__proto__")
        .map((entry): [string, ValueArray] => [String(entry[0]), entry[1]])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return sorted.filter((entry, i) => i + 1 === sorted.length || sorted[i + 1][0] !== entry[0]);
}

function structToJs(struct: StructArray | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const entries = sortedEntries(struct);
    for (let i = 0; i < entries.length; i++) out[entries[i][0]] = valueToJs(entries[i][1] ?? []);
    return out;
}

function listToJs(list: ListArray): unknown[] {
    const values = list[0] ?? [];
    const out: unknown[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = valueToJs(values[i]);
    return out;
}

// The library's getKindCase takes the highest field set; its getters coerce as below.
function valueToJs(value: ValueArray): unknown {
    if (value[5] != null) return listToJs(value[5] as ListArray);
    if (value[4] != null) return structToJs(value[4] as StructArray);
    if (value[3] != null) return !!value[3];
    if (value[2] != null) return value[2];
    if (value[1] != null) return +(value[1] as number);
    if (value[0] != null) return null;
    throw new Error("Unexpected struct type");
}

// ---- backing arrays → wire (serializeBinaryToWriter) ----------------------------------------

function writeStruct(struct: StructArray, writer: Writer): void {
    const entries = sortedEntries(struct);
    for (let i = 0; i < entries.length; i++) {
        writer.beginSubMessage(1);
        writer.writeString(1, entries[i][0]);
        writer.writeMessage(2, entries[i][1] ?? [], writeValue);
        writer.endSubMessage();
    }
}

function writeValue(value: ValueArray, writer: Writer): void {
    if (value[0] != null) writer.writeEnum(1, value[0] as number);
    if (value[1] != null) writer.writeDouble(2, value[1] as number);
    if (value[2] != null) writer.writeString(3, value[2] as string);
    if (value[3] != null) writer.writeBool(4, value[3] as boolean);
    if (value[4] != null) writer.writeMessage(5, value[4] as StructArray, writeStruct);
    if (value[5] != null) writer.writeMessage(6, value[5] as ListArray, writeList);
}

function writeList(list: ListArray, writer: Writer): void {
    for (const value of list[0] ?? []) writer.writeMessage(1, value, writeValue);
}

// ---- wire → backing arrays (deserializeBinaryFromReader) -------------------------------------

function readValue(reader: Reader): ValueArray {
    // A oneof: a later field replaces an earlier one, as the library's setters do.
    let out: ValueArray = [];
    while (reader.nextField()) {
        if (reader.isEndGroup()) break;
        switch (reader.getFieldNumber()) {
            case 1:
                out = [reader.readEnum()];
                break;
            case 2:
                out = [undefined, reader.readDouble()];
                break;
            case 3:
                out = [undefined, undefined, reader.readString()];
                break;
            case 4:
                out = [undefined, undefined, undefined, reader.readBool()];
                break;
            case 5: {
                const struct: StructArray = [];
                reader.readMessage(struct, readStruct);
                out = [undefined, undefined, undefined, undefined, struct];
                break;
            }
            case 6: {
                const list: ListArray = [[]];
                reader.readMessage(list, readList);
                out = [undefined, undefined, undefined, undefined, undefined, list];
                break;
            }
            default:
                reader.skipField();
        }
    }
    return out;
}

function readEntryValue(entry: [string, ValueArray], reader: Reader): void {
    entry[1] = readValue(reader);
}

function readListItem(holder: ValueArray[], reader: Reader): void {
    holder[0] = readValue(reader);
}

function readEntry(entry: [string, ValueArray], reader: Reader): void {
    while (reader.nextField()) {
        if (reader.isEndGroup()) break;
        switch (reader.getFieldNumber()) {
            case 1:
                entry[0] = reader.readString();
                break;
            case 2:
                reader.readMessage(entry, readEntryValue);
                break;
            default:
                reader.skipField();
        }
    }
}

function readStruct(struct: StructArray, reader: Reader): void {
    const entries: Array<[string, ValueArray]> = [];
    while (reader.nextField()) {
        if (reader.isEndGroup()) break;
        if (reader.getFieldNumber() !== 1) {
            reader.skipField();
            continue;
        }
        // A map entry without a value holds the value message's default, as in jspb.Map.
        const entry: [string, ValueArray] = ["", []];
        reader.readMessage(entry, readEntry);
        entries.push(entry);
    }
    struct[0] = entries;
}

function readList(list: ListArray, reader: Reader): void {
    while (reader.nextField()) {
        if (reader.isEndGroup()) break;
        if (reader.getFieldNumber() !== 1) {
            reader.skipField();
            continue;
        }
        const holder: ValueArray[] = [];
        reader.readMessage(holder, readListItem);
        list[0]!.push(holder[0]);
    }
}

// ---- installation ------------------------------------------------------------------------------

/**
 * Replaces the Struct codec's entry points on `structs` (google-protobuf's
 * `google/protobuf/struct_pb`, with `jspb` its runtime). Exported for the tests, which
 * install it on a second, private copy of the library to compare the two.
 */
export function installFastStructCodec(jspb: Jspb, structs: StructModule): void {
    const { Struct, Value, ListValue } = structs;
    Struct.fromJavaScript = (object: unknown) => new Struct(structArray(object as Record<string, unknown>));
    Value.fromJavaScript = (value: unknown) => new Value(valueArray(value));
    ListValue.fromJavaScript = (values: unknown) => new ListValue(listArray(values as unknown[]));
    // toArray() first: it syncs any wrapper a caller made or changed into the arrays.
    Struct.prototype.toJavaScript = function (this: Message) {
        return structToJs(this.toArray() as StructArray);
    };
    Value.prototype.toJavaScript = function (this: Message) {
        return valueToJs(this.toArray());
    };
    ListValue.prototype.toJavaScript = function (this: Message) {
        return listToJs(this.toArray() as ListArray);
    };
    Struct.serializeBinaryToWriter = (message: Message, writer: Writer) => writeStruct(message.toArray() as StructArray, writer);
    Struct.deserializeBinaryFromReader = (message: Message, reader: Reader) => {
        const struct: StructArray = [];
        readStruct(struct, reader);
        jspb.Message.setField(message, 1, struct[0]);
        return message;
    };
}

let installed: ((object: unknown) => Message) | undefined;

/** Whether the SDK's google-protobuf runs this codec now (the program installed it). */
export function fastStructCodecInUse(): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return installed !== undefined && (require("google-protobuf/google/protobuf/struct_pb") as StructModule).Struct.fromJavaScript === installed;
}

/**
 * Installs the codec on the google-protobuf the Pulumi SDK loads, once; a no-op under
 * NEURALLOG_LIBRARY_STRUCT=1, or where that library is another version or another copy
 * than this project's. Returns whether the codec is in place.
 */
export function useFastStructCodec(): boolean {
    if (installed) return true;
    if (process.env.NEURALLOG_LIBRARY_STRUCT === "1") return false;
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const fromSdk = require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] });
    if (fromSdk !== require.resolve("google-protobuf/google/protobuf/struct_pb")) return false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if ((require("google-protobuf/package.json") as { version: string }).version !== CHECKED_VERSION) return false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const structs = require("google-protobuf/google/protobuf/struct_pb") as StructModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    installFastStructCodec(require("google-protobuf") as Jspb, structs);
    installed = structs.Struct.fromJavaScript;
    return true;
}
