/** Implementation of geneva-cloud-gcp. Not API: may change in any release. */
package dev.geneva.cloud.gcp.internal;
