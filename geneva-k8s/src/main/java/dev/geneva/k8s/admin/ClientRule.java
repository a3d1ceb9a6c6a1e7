package dev.geneva.k8s.admin;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

/**
 * One RBAC rule a Geneva client needs to create, watch, port-forward to and delete RayClusters,
 * with the reason it is needed. {@link RayClusterManifests#clientRules()} lists them; preflight
 * checks can quote the reason when a {@code SelfSubjectAccessReview} denies the rule.
 *
 * @param rule the rule
 * @param clusterScoped true when the resource is cluster-scoped, so only a ClusterRole can grant it
 * @param reason why the client needs it, and which verbs go beyond the deployment guide's
 *     ClusterRole
 */
public record ClientRule(PolicyRule rule, boolean clusterScoped, String reason) {}
