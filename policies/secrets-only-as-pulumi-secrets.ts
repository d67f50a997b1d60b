import { ofType, Policy, where } from "./policy";

/** The engine's marker for a secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => typeof v === "object" && v !== null && SECRET_SIG in (v as object);

export const secretsOnlyAsPulumiSecrets: Policy = {
    name: "secrets-only-as-pulumi-secrets",
    description: "Kubernetes Secrets carry their values only as Pulumi secrets (stringData), never as plain or hand-encoded data.",
    validate: (objects) =>
        ofType(objects, "core/v1:Secret").flatMap((s) => [
            ...(isSecret(s.inputs.stringData) ? [] : [`${where(s)}: stringData must be a Pulumi secret`]),
            ...(s.inputs.data !== undefined ? [`${where(s)}: data must not be set (base64 by hand is not encryption)`] : []),
        ]),
};
