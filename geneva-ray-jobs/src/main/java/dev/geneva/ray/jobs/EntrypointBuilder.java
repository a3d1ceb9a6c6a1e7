package dev.geneva.ray.jobs;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Builds the shell command of a backfill job's entrypoint (Ray runs it with {@code /bin/sh -c} in
 * the job's working directory):
 *
 * <pre>
 * RAY_DIST_JAR="${RAY_DIST_JAR:-$(python -c '...ray/jars/ray_dist.jar...')}" &amp;&amp; exec java \
 *     --add-opens=java.base/java.lang=ALL-UNNAMED ... -cp "$RAY_DIST_JAR:*" \
 *     -Dray.address="$RAY_ADDRESS" -Dray.job.runtime-env.jars.0=gcs://_ray_pkg_....zip \
 *     -Dray.job.jvm-options.0=--add-opens=... dev.geneva.ray.driver.BackfillDriver \
 *     'file:///data/docs.lance' 'len' --concurrency 8 ...
 * </pre>
 *
 * <p>{@code ray_dist.jar} is the cluster's own Ray for Java: {@code $RAY_DIST_JAR} when the image
 * sets it, else {@code ray/jars/ray_dist.jar} inside the installed {@code ray} Python package
 * (where Ray's own Java workers load it from). It comes first on the classpath, as for Ray's Java
 * workers, so the driver and the workers see the same classes. The {@code --add-opens} flags are
 * the root build's {@code geneva.jvm.opens}; the workers get them as {@code ray.job.jvm-options}.
 * Every argument is single-quoted, and storage options never appear (see {@link DriverArgs}).
 *
 * <p>The driver, {@value #DRIVER_CLASS}, is in geneva-ray (it needs the Ray runtime); this module
 * only names it. It must be in the job's package or the image.
 */
public final class EntrypointBuilder {
  /**
   * The driver's main class, in geneva-ray (named here, not referenced: this module has no Ray
   * runtime). geneva-ray's tests check that it names the class.
   */
  public static final String DRIVER_CLASS = "dev.geneva.ray.driver.BackfillDriver";

  /** Finds {@code ray_dist.jar} in the installed {@code ray} Python package. */
  public static final String RAY_DIST_JAR_LOOKUP =
      "$(python -c 'import os, ray; print(os.path.join(os.path.dirname(ray.__file__), \"jars\","
          + " \"ray_dist.jar\"))')";

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

  private final JobPackage jobPackage;
  private String javaCommand = "java";
  private String rayDistJar;
  private final List<String> jvmOptions = new ArrayList<>();

  private EntrypointBuilder(JobPackage jobPackage) {
    this.jobPackage = Objects.requireNonNull(jobPackage, "jobPackage");
  }

  /**
   * Starts an entrypoint for jobs whose jars come from {@code jobPackage}.
   *
   * @param jobPackage where the jars are
   * @return a builder
   */
  public static EntrypointBuilder forPackage(JobPackage jobPackage) {
    return new EntrypointBuilder(jobPackage);
  }

  /**
   * The {@code --add-opens} flags Ray and Arrow need, from the build's {@code geneva.jvm.opens}.
   *
   * @return the flags
   */
  public static List<String> jvmOpens() {
    Properties p = new Properties();
    try (InputStream in = EntrypointBuilder.class.getResourceAsStream("jvm.properties")) {
      if (in == null) {
        throw new GenevaException("geneva-ray-jobs is missing its jvm.properties resource");
      }
      p.load(in);
    } catch (IOException e) {
      throw new GenevaException("cannot read geneva-ray-jobs's jvm.properties: " + e, e);
    }
    String opens = p.getProperty("opens", "").trim();
    if (opens.isEmpty() || opens.contains("${")) {
      throw new GenevaException("geneva-ray-jobs's jvm.properties was not filtered: " + opens);
    }
    return List.of(opens.split("\\s+"));
  }

  /**
   * The Java launcher on the Ray nodes (default {@code java}, found on the PATH).
   *
   * @param command e.g. {@code /usr/lib/jvm/java-17/bin/java}
   * @return this builder
   */
  public EntrypointBuilder javaCommand(String command) {
    if (command == null || command.isBlank()) {
      throw new InvalidInputException("the java command must not be blank");
    }
    this.javaCommand = command;
    return this;
  }

  /**
   * The path of {@code ray_dist.jar} on the Ray nodes, instead of {@code $RAY_DIST_JAR} or the
   * lookup in the {@code ray} Python package.
   *
   * @param path the path
   * @return this builder
   */
  public EntrypointBuilder rayDistJar(String path) {
    this.rayDistJar = path;
    return this;
  }

  /**
   * Adds JVM options for the driver, such as {@code -Xmx4g}.
   *
   * @param options the options
   * @return this builder
   */
  public EntrypointBuilder jvmOptions(String... options) {
    jvmOptions.addAll(Arrays.asList(options));
    return this;
  }

  /**
   * The entrypoint command.
   *
   * @param args what the driver backfills
   * @return the shell command
   */
  public String build(DriverArgs args) {
    return build(args.toArgs());
  }

  /**
   * The entrypoint command of a view refresh.
   *
   * @param args what the driver refreshes
   * @return the shell command
   */
  public String build(RefreshArgs args) {
    return build(args.toArgs());
  }

  private String build(List<String> driverArgs) {
    List<String> opens = jvmOpens();
    StringBuilder cmd = new StringBuilder();
    cmd.append("RAY_DIST_JAR=");
    if (rayDistJar != null) {
      cmd.append(quote(rayDistJar));
    } else {
      cmd.append("\"${RAY_DIST_JAR:-").append(RAY_DIST_JAR_LOOKUP).append("}\"");
    }
    cmd.append(" && exec ").append(quote(javaCommand));
    for (String o : opens) {
      cmd.append(' ').append(quote(o));
    }
    for (String o : jvmOptions) {
      cmd.append(' ').append(quote(o));
    }
    cmd.append(" -cp \"$RAY_DIST_JAR\":").append(quoteClasspath(jobPackage.driverClasspath()));
    cmd.append(" -Dray.address=\"$RAY_ADDRESS\"");
    for (String p : jobPackage.workerJarProperties()) {
      cmd.append(' ').append(quote(p));
    }
    for (int i = 0; i < opens.size(); i++) {
      cmd.append(' ').append(quote("-Dray.job.jvm-options." + i + "=" + opens.get(i)));
    }
    cmd.append(' ').append(DRIVER_CLASS);
    for (String a : driverArgs) {
      cmd.append(' ').append(quote(a));
    }
    return cmd.toString();
  }

  private static String quoteClasspath(String cp) {
    return "'" + cp.replace("'", "'\\''") + "'";
  }

  /**
   * Quotes a word for {@code /bin/sh}: as is when it has only safe characters, else in single
   * quotes.
   *
   * @param word the word
   * @return the quoted word
   */
  public static String quote(String word) {
    if (!word.isEmpty() && SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
