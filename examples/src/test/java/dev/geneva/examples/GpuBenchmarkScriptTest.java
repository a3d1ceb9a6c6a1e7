package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmarks/gpu/run.sh} on a machine without a usable GPU or CUDA runtime stops at its
 * checks with a clear message and its documented exit code, before building or running anything.
 * {@code nvidia-smi} is replaced through {@code NVIDIA_SMI} and the library search through {@code
 * GENEVA_CUDA_LIB_PATH}, so these hold on any machine, with a GPU or not.
 */
class GpuBenchmarkScriptTest {
  @TempDir Path tmp;

  record Run(int exitCode, String stdout, String stderr) {}

  private Run run(Map<String, String> env) throws IOException, InterruptedException {
    Path script = Repo.root().resolve("benchmarks/gpu/run.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--check");
    pb.environment().putAll(env);
    pb.redirectOutput(tmp.resolve("stdout").toFile());
    pb.redirectError(tmp.resolve("stderr").toFile());
    Process p = pb.start();
    // A guard against a hanging script, not a measurement: the checks fail within seconds.
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("benchmarks/gpu/run.sh --check still running after 5 minutes");
    }
    return new Run(
        p.exitValue(),
        Files.readString(tmp.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("stderr"), StandardCharsets.UTF_8));
  }

  private Path fakeNvidiaSmi(String body) throws IOException {
    Path smi = tmp.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    return smi;
  }

  @Test
  void run_whenNvidiaSmiIsMissing_exitsWith3AndSaysThereIsNoGpu() throws Exception {
    Run r = run(Map.of("NVIDIA_SMI", tmp.resolve("no-such-nvidia-smi").toString()));

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stderr()).contains("no GPU").contains("no-such-nvidia-smi' not found");
  }

  @Test
  void run_whenNvidiaSmiFails_exitsWith4AndShowsItsExitCodeAndMessage() throws Exception {
    Path smi =
        fakeNvidiaSmi(
            "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'"
                + " >&2; exit 9");

    Run r = run(Map.of("NVIDIA_SMI", smi.toString()));

    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.stderr())
        .contains("no usable GPU")
        .contains("exit 9")
        .contains("could not communicate with the NVIDIA driver");
  }

  @Test
  void run_whenCudaLibrariesAreMissing_exitsWith5AndNamesThem() throws Exception {
    Path smi = fakeNvidiaSmi("echo 'Tesla T4, 535.104.05, 15360 MiB'");
    Path emptyLibDir = Files.createDirectory(tmp.resolve("lib"));

    Run r =
        run(Map.of("NVIDIA_SMI", smi.toString(), "GENEVA_CUDA_LIB_PATH", emptyLibDir.toString()));

    assertThat(r.exitCode()).isEqualTo(5);
    assertThat(r.stdout()).contains("GPU: Tesla T4");
    assertThat(r.stderr())
        .contains("CUDA runtime not found")
        .contains("libcudart.so.12")
        .contains("libcudnn.so.9")
        .contains("GENEVA_CUDA_LIB_PATH");
  }
}
