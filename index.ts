// NeuralLog platform: composition only. See components/program.ts.
import { main } from "./components/program";

// An async program: the offboarding guard reads the last update's outputs before any
// resource is registered. The stack outputs are the returned object's fields.
export = main().then((o) => ({
    environment: o.environment,
    namespace: o.namespace,
    serverUrl: o.serverUrl,
    tenants: o.tenants,
}));
