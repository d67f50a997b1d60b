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

const CONSTRUCTORS: Record<StoreKind, new (name: string, args: { namespace: NamespaceRef; store: StoreModel }, opts?: pulumi.ComponentResourceOptions) => StatefulStore> = {
    redis: Redis,
    postgres: Postgres,
    qdrant: Qdrant,
    neo4j: Neo4j,
};

export class DataStores extends pulumi.ComponentResource {
    public readonly stores: Partial<Record<StoreKind, StatefulStore>> = {};

    constructor(name: string, args: DataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:DataStores", name, {}, opts);
        for (const store of args.stores) {
            this.stores[store.kind] = new CONSTRUCTORS[store.kind](`${name}-${store.kind}`, { namespace: args.namespace, store }, { parent: this });
        }
        this.registerOutputs({ stores: this.stores });
    }
}
