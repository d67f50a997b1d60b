// NeuralLog platform: composition only. See components/program.ts.
import { main } from "./components/program";

const outputs = main();

export const environment = outputs.environment;
export const namespace = outputs.namespace;
export const serverUrl = outputs.serverUrl;
export const tenants = outputs.tenants;
