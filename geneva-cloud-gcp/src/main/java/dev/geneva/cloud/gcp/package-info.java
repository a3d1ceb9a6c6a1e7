/**
 * Google Cloud for Geneva: {@link dev.geneva.cloud.gcp.GkeAuth} reaches a GKE cluster with Google
 * credentials (application default, workload identity or a service-account key) and no gcloud
 * binary; {@link dev.geneva.cloud.gcp.GcsWriteCheck} proves the workers' identity can write to a
 * table's bucket; {@link dev.geneva.cloud.gcp.GcsStorageOptions} builds Lance storage options for
 * {@code gs://} tables. Only {@code GkeAuth} needs geneva-k8s (and fabric8), which this module
 * declares optional: the GCS helpers work without Kubernetes on the class path.
 */
package dev.geneva.cloud.gcp;
