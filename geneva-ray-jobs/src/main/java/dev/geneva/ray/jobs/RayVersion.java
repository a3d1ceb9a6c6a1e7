package dev.geneva.ray.jobs;

/**
 * What {@code GET /api/version} reports.
 *
 * @param version the Jobs API version
 * @param rayVersion the cluster's Ray version, e.g. {@code 2.39.0}
 * @param rayCommit the commit of that Ray build
 */
public record RayVersion(String version, String rayVersion, String rayCommit) {}
