/**
 * DataStores: the catalogue of stateful components. A stack enables the ones it needs
 * (`neurallog:dataStores`); each becomes its own component with its own credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import { StoreKind, StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { Neo4j } from "./neo4j";
import { Postgres } from "./postgres";
import { Qdrant } from "./qdrant";
import { Redis } from "./redis";
import { StatefulStore } from "./store";

export { Neo4j, Postgres, Qdrant, Redis, StatefulStore };

export interface DataStoresArgs {
    namespace: NamespaceRef;
    /** Enabled stores, resolved from `neurallog:dataStores`. */
    stores: StoreModel[];
}

type StoreArgs = { namespace: NamespaceRef; store: StoreModel };
const CONSTRUCTORS: Record<StoreKind, (name: string, args: StoreArgs, opts?: pulumi.ComponentResourceOptions) => StatefulStore> = {
    // The platform's Redis carries the metrics exporter; a tenant's does not (redis.ts).
    redis: (name, args, opts) => new Redis(name, { ...args, exporter: true }, opts),
    postgres: (name, args, opts) => new Postgres(name, args, opts),
    qdrant: (name, args, opts) => new Qdrant(name, args, opts),
    neo4j: (name, args, opts) => new Neo4j(name, args, opts),
};

export class DataStores extends pulumi.ComponentResource {
    public readonly stores: Partial<Record<StoreKind, StatefulStore>> = {};

    constructor(name: string, args: DataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:DataStores", name, {}, opts);
        for (const store of args.stores) {
            this.stores[store.kind] = CONSTRUCTORS[store.kind](`${name}-${store.kind}`, { namespace: args.namespace, store }, { parent: this });
        }
        this.registerOutputs({ stores: this.stores });
    }
}
