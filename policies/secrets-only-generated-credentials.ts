import { ofType, Policy, where } from "./policy";

/** The engine's marker for a secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => typeof v === "object" && v !== null && SECRET_SIG in (v as object);
const unwrap = (v: unknown): unknown => (isSecret(v) ? unwrap((v as Record<string, unknown>).value) : v);

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
            if (s.inputs.data !== undefined) out.push(`${where(s)}: data must not be set (base64 by hand is not encryption)`);
            if (!isSecret(s.inputs.stringData)) out.push(`${where(s)}: stringData must be a Pulumi secret`);
            const generated = context.generatedCredentials ?? [];
            const data = (unwrap(s.inputs.stringData) ?? {}) as Record<string, unknown>;
            for (const [key, raw] of Object.entries(data)) {
                if (NON_CREDENTIAL_KEYS.has(key)) continue;
                const value = String(unwrap(raw));
                if (!generated.some((g) => g.length > 0 && value.includes(g))) {
                    out.push(`${where(s)}: stringData.${key} is not a generated credential`);
                }
            }
            return out;
        }),
};
