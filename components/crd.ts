/**
 * The cluster-scoped Tenant CRD `tenants.neurallog.io`: the schema of the Kubernetes
 * guide (required tenantId/planId/billingEmail, status phases and conditions) merged
 * with the tenant operator guide (displayName, description, server, redis,
 * networkPolicy), plus printer columns so `kubectl get tenants` shows plan and namespace.
 * Pulumi is the reconciler of the spec; `status` is a subresource the program never
 * writes, because nothing here observes a tenant's health (the guide's operator would):
 * a "phase: Active" written by the deployer would be a claim, not an observation.
 */
import { DNS_LABEL, TENANT_ID_MAX } from "./config-schema";
import { PLAN_IDS } from "./plans";

const str = { type: "string" };
const quantityPair = {
    type: "object",
    properties: { requests: str, limits: str, request: str, limit: str },
};
const resources = { type: "object", properties: { cpu: quantityPair, memory: quantityPair } };
const workload = {
    type: "object",
    properties: {
        replicas: { type: "integer", minimum: 1 },
        image: str,
        resources: {
            type: "object",
            properties: {
                requests: { type: "object", properties: { cpu: str, memory: str } },
                limits: { type: "object", properties: { cpu: str, memory: str } },
            },
        },
    },
};
const rule = {
    type: "object",
    properties: {
        description: str,
        from: { type: "object", additionalProperties: str },
        to: { type: "object", additionalProperties: str },
        namespaces: { type: "array", items: str },
        ports: {
            type: "array",
            items: { type: "object", properties: { protocol: str, port: { type: "integer" } } },
        },
    },
};
const condition = {
    type: "object",
    properties: {
        type: str,
        status: str,
        lastTransitionTime: { type: "string", format: "date-time" },
        reason: str,
        message: str,
    },
};
const componentStatus = {
    type: "object",
    properties: { phase: str, readyReplicas: { type: "integer" }, totalReplicas: { type: "integer" }, message: str },
};

export const TENANT_CRD_NAME = "tenants.neurallog.io";
/** The ClusterRole that reads Tenant objects (and with them billing e-mails). */
export const TENANT_VIEWER_ROLE = "neurallog-tenant-viewer";

export const TENANT_OPENAPI_SCHEMA = {
    type: "object",
    properties: {
        spec: {
            type: "object",
            required: ["tenantId", "planId", "billingEmail"],
            properties: {
                tenantId: { type: "string", pattern: DNS_LABEL.source, maxLength: TENANT_ID_MAX },
                planId: { type: "string", enum: [...PLAN_IDS] },
                billingEmail: { type: "string", format: "email" },
                displayName: str,
                description: str,
                /** The namespace the program created for the tenant. */
                namespace: str,
                resources: {
                    type: "object",
                    properties: {
                        ...resources.properties,
                        storage: { type: "object", properties: { requests: str, limits: str, request: str, limit: str, storageClass: str } },
                        pods: { type: "integer" },
                        services: { type: "integer" },
                    },
                },
                server: workload,
                redis: {
                    type: "object",
                    properties: {
                        ...workload.properties,
                        storage: str,
                        config: { type: "object", additionalProperties: str },
                    },
                },
                networkPolicy: {
                    type: "object",
                    properties: {
                        enabled: { type: "boolean" },
                        allowedNamespaces: { type: "array", items: str },
                        ingressRules: { type: "array", items: rule },
                        egressRules: { type: "array", items: rule },
                    },
                },
                features: { type: "object", additionalProperties: { type: "boolean" } },
            },
        },
        status: {
            type: "object",
            properties: {
                phase: { type: "string", enum: ["Pending", "Creating", "Active", "Running", "Updating", "Deleting", "Failed"] },
                namespace: str,
                message: str,
                lastUpdated: { type: "string", format: "date-time" },
                serverStatus: componentStatus,
                redisStatus: componentStatus,
                conditions: { type: "array", items: condition },
            },
        },
    },
};

export const TENANT_PRINTER_COLUMNS = [
    { name: "Tenant-ID", type: "string", jsonPath: ".spec.tenantId" },
    { name: "Plan", type: "string", jsonPath: ".spec.planId" },
    { name: "Namespace", type: "string", jsonPath: ".spec.namespace" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];
