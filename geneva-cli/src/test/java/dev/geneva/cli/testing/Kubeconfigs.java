package dev.geneva.cli.testing;

import dev.geneva.k8s.testing.MockKubernetes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a kubeconfig pointing at a mock API server, so tests use the CLI's real auth path. */
public final class Kubeconfigs {
  private Kubeconfigs() {}

  /**
   * Writes {@code dir/kubeconfig} with one context {@code mock} for the server.
   *
   * @param dir the directory
   * @param mock the server
   * @return the file
   */
  public static Path write(Path dir, MockKubernetes mock) {
    return write(dir, mock.client().getConfiguration().getMasterUrl());
  }

  /**
   * Writes {@code dir/kubeconfig} (creating {@code dir}) with one context {@code mock} for a server
   * URL, e.g. a port nothing listens on, or a fault proxy's.
   *
   * @param dir the directory
   * @param url the API server's URL
   * @return the file
   */
  public static Path write(Path dir, String url) {
    String yaml =
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: mock\n"
            + "  cluster:\n"
            + "    server: "
            + url
            + "\n"
            + "    insecure-skip-tls-verify: true\n"
            + "contexts:\n"
            + "- name: mock\n"
            + "  context:\n"
            + "    cluster: mock\n"
            + "    user: mock\n"
            + "current-context: mock\n"
            + "users:\n"
            + "- name: mock\n"
            + "  user:\n"
            + "    token: test-token\n";
    Path f = dir.resolve("kubeconfig");
    try {
      Files.createDirectories(dir);
      Files.writeString(f, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }
}
