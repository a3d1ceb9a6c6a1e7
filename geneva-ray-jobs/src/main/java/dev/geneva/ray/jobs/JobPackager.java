package dev.geneva.ray.jobs;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds the package a backfill job needs from a classpath (by default this JVM's): every jar
 * except Ray's own ({@code io.ray:*}: the cluster's {@code ray_dist.jar} is used), and every
 * directory (such as {@code target/classes} with the user's UDFs) zipped as a jar. The package is a
 * deterministic zip (entries sorted, fixed timestamps, jars stored uncompressed) named by its
 * content hash, {@code gcs://_ray_pkg_<sha256>.zip}, so the same classpath always gives the same
 * URI and an unchanged package is uploaded only once per cluster.
 *
 * <p>The job's driver ({@value EntrypointBuilder#DRIVER_CLASS}) is in geneva-ray, which this module
 * does not depend on: a package of this JVM's classpath ({@link #fromClasspath()}) must hold it,
 * and {@link #build()} fails naming the missing module otherwise. A package of given entries
 * ({@link #of(List)}) is not checked.
 */
public final class JobPackager {
  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);
  private static final Pattern RAY_JAR =
      Pattern.compile("ray-(api|runtime|serve|streaming-[a-z]+)-[0-9][^/]*\\.jar");

  private final List<Path> classpath;
  private final boolean requireDriver;

  private JobPackager(List<Path> classpath, boolean requireDriver) {
    this.classpath = List.copyOf(classpath);
    this.requireDriver = requireDriver;
  }

  /**
   * A packager of this JVM's classpath ({@code java.class.path}). Its {@link #build()} checks that
   * the classpath holds the job driver (geneva-ray).
   *
   * @return the packager
   */
  public static JobPackager fromClasspath() {
    List<Path> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.add(Path.of(e));
      }
    }
    return new JobPackager(entries, true);
  }

  /**
   * A packager of the given classpath entries (jars and class directories).
   *
   * @param classpath the entries
   * @return the packager
   */
  public static JobPackager of(List<Path> classpath) {
    return new JobPackager(classpath, false);
  }

  /**
   * Whether a classpath entry is one of Ray's own jars, which must not travel.
   *
   * @param entry a classpath entry
   * @return true for {@code io.ray:*} jars
   */
  public static boolean isRayJar(Path entry) {
    String p = entry.toAbsolutePath().normalize().toString().replace('\\', '/');
    String name = entry.getFileName() == null ? "" : entry.getFileName().toString();
    return p.contains("/io/ray/") && name.endsWith(".jar")
        || RAY_JAR.matcher(name).matches()
        || name.equals("ray_dist.jar");
  }

  /**
   * The entries that will be shipped: existing jars and directories, Ray's jars left out, in
   * classpath order without duplicates.
   *
   * @return the entries
   */
  public List<Path> entriesToShip() {
    Set<Path> out = new LinkedHashSet<>();
    for (Path p : classpath) {
      Path abs = p.toAbsolutePath().normalize();
      if (isRayJar(abs) || !Files.exists(abs)) {
        continue;
      }
      if (Files.isDirectory(abs) || abs.getFileName().toString().endsWith(".jar")) {
        out.add(abs);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Whether an entry to ship holds a class.
   *
   * @param className a binary class name, such as {@value EntrypointBuilder#DRIVER_CLASS}
   * @return true when a shipped jar or class directory has the class file
   */
  public boolean ships(String className) {
    String file = className.replace('.', '/') + ".class";
    for (Path p : entriesToShip()) {
      if (Files.isDirectory(p)) {
        if (Files.isRegularFile(p.resolve(file))) {
          return true;
        }
        continue;
      }
      try (JarFile jar = new JarFile(p.toFile())) {
        if (jar.getEntry(file) != null) {
          return true;
        }
      } catch (IOException e) {
        // Not a readable jar: it holds nothing the driver could load either.
      }
    }
    return false;
  }

  /**
   * Builds the package.
   *
   * @return the package, {@link JobPackage.Kind#UPLOAD}
   * @throws InvalidInputException when nothing is left to ship, or when a package of this JVM's
   *     classpath would lack the job driver (geneva-ray is not on the classpath)
   */
  public JobPackage build() {
    List<Path> entries = entriesToShip();
    if (entries.isEmpty()) {
      throw new InvalidInputException(
          "nothing to ship to the Ray cluster: the classpath "
              + classpath
              + " has no jars or class"
              + " directories besides Ray's own");
    }
    if (requireDriver && !ships(EntrypointBuilder.DRIVER_CLASS)) {
      throw new InvalidInputException(
          "the Ray job would not find its driver "
              + EntrypointBuilder.DRIVER_CLASS
              + ": it is in dev.geneva:geneva-ray, which is not on this JVM's classpath. Add"
              + " geneva-ray to the project that submits backfills to a Ray cluster (its Ray jars"
              + " are not shipped: the cluster's ray_dist.jar is used), or ship the jars"
              + " yourself with JobPackage.remote(..) or JobPackage.baked(..)");
    }
    try {
      Map<String, byte[]> jars = new TreeMap<>();
      for (Path p : entries) {
        byte[] bytes = Files.isDirectory(p) ? jarOf(p) : Files.readAllBytes(p);
        String name = Files.isDirectory(p) ? dirJarName(p, bytes) : p.getFileName().toString();
        if (jars.containsKey(name)) {
          name = hash(bytes).substring(0, 12) + "-" + name;
        }
        jars.putIfAbsent(name, bytes);
      }
      byte[] zip = storedZip(jars);
      String uri = "gcs://_ray_pkg_" + hash(zip).substring(0, 32) + ".zip";
      return new JobPackage(JobPackage.Kind.UPLOAD, uri, zip, List.copyOf(jars.keySet()), null);
    } catch (IOException e) {
      throw new GenevaException("cannot package the classpath for the Ray job: " + e, e);
    }
  }

  private static String dirJarName(Path dir, byte[] bytes) {
    String base = dir.getFileName() == null ? "classes" : dir.getFileName().toString();
    Path parent = dir.getParent();
    if (parent != null
        && parent.getFileName() != null
        && "target".equals(parent.getFileName().toString())) {
      Path module = parent.getParent();
      if (module != null && module.getFileName() != null) {
        base = module.getFileName() + "-" + base;
      }
    }
    base = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    return base + "-" + hash(bytes).substring(0, 12) + ".jar";
  }

  private static byte[] jarOf(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Map<String, Path> sorted = new TreeMap<>();
    for (Path f : files) {
      sorted.put(dir.relativize(f).toString().replace(File.separatorChar, '/'), f);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setLevel(6);
      for (var e : sorted.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setTimeLocal(FIXED_TIME);
        zip.putNextEntry(entry);
        Files.copy(e.getValue(), zip);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] storedZip(Map<String, byte[]> jars) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var e : jars.entrySet()) {
        byte[] data = e.getValue();
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        entry.setTimeLocal(FIXED_TIME);
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String hash(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "JobPackager{" + classpath.size() + " classpath entries}";
  }
}
