import { ofType, Policy, where } from "./policy";

/** The engine's marker for a secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => typeof v === "object" && v !== null && SECRET_SIG in (v as object);
const unwrap = (v: unknown): unknown => (isSecret(v) ? unwrap((v as Record<string, unknown>).value) : v);
/** The engine's placeholder for a value a preview cannot know yet (a credential still to be generated). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Keys that name an account rather than hold a credential (reviewed). */
export const NON_CREDENTIAL_KEYS = new Set(["username"]);

/**
 * The SDK wraps every `stringData` in a Pulumi secret by itself, so "is it a secret?"
 * cannot fail for a Secret the program creates. What can: every value must carry a
 * credential the stack generated (GeneratedCredential), never a literal typed into the
 * program or the config.
 */
export const secretsOnlyGeneratedCredentials: Policy = {
    name: "secrets-only-generated-credentials",
    description:
        "Kubernetes Secrets carry only generated credentials (each value contains one), as Pulumi secrets in stringData; never literals or hand-encoded data.",
    validate: (objects, context) =>
        ofType(objects, "core/v1:Secret").flatMap((s) => {
            const out: string[] = [];
            if (!context.fromState) {
                if (s.inputs.data !== undefined) out.push(`${where(s)}: data must not be set (base64 by hand is not encryption)`);
                if (!isSecret(s.inputs.stringData)) out.push(`${where(s)}: stringData must be a Pulumi secret`);
            }
            const generated = context.generatedCredentials ?? [];
            const values = new Map<string, string>();
            // A Secret a preview is about to create has stringData unknown as a whole (a string).
            const plain = unwrap(s.inputs.stringData);
            if (plain && typeof plain === "object") {
                for (const [key, raw] of Object.entries(plain)) values.set(`stringData.${key}`, String(unwrap(raw)));
            }
            // In state the API server has folded stringData into base64 data; a preview may not know it yet.
            const encoded = unwrap(s.inputs.data);
            if (context.fromState && encoded && typeof encoded === "object") {
                for (const [key, raw] of Object.entries(encoded)) {
                    const value = String(unwrap(raw));
                    values.set(`data.${key}`, value.includes(UNKNOWN) ? value : Buffer.from(value, "base64").toString("utf8"));
                }
            }
            for (const [field, value] of values) {
                if (NON_CREDENTIAL_KEYS.has(field.split(".")[1])) continue;
                if (value.includes(UNKNOWN)) continue;
                if (!generated.some((g) => g.length > 0 && value.includes(g))) out.push(`${where(s)}: ${field} is not a generated credential`);
            }
            return out;
        }),
};
