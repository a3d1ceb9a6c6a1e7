package dev.geneva.internal.view;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A view query's shuffle and sample, recorded in the view table's config beside {@link
 * ViewMetadata} ({@code geneva.view.shuffle.seed}, {@code geneva.view.sample.fraction}, {@code
 * geneva.view.sample.seed}).
 *
 * <p>Both are functions of (seed, source row id) alone, so a refresh treats rows appended to the
 * source with the same rule as the rows before them: a row is in the sample when {@link
 * #sampled(long)} says so, whichever refresh meets it first, and every batch of rows a refresh adds
 * is written in the order of {@link #shuffleKey(long)}.
 *
 * @param shuffleSeed the shuffle's seed, if the view is shuffled
 * @param sampleFraction the fraction of source rows kept, if the view is sampled
 * @param sampleSeed the sample's seed (0 when not sampled)
 */
public record ViewQueryOptions(
    OptionalLong shuffleSeed, OptionalDouble sampleFraction, long sampleSeed) {

  /** Neither shuffled nor sampled. */
  public static final ViewQueryOptions NONE =
      new ViewQueryOptions(OptionalLong.empty(), OptionalDouble.empty(), 0);

  static final String SHUFFLE_SEED = ViewMetadata.PREFIX + "shuffle.seed";
  static final String SAMPLE_FRACTION = ViewMetadata.PREFIX + "sample.fraction";
  static final String SAMPLE_SEED = ViewMetadata.PREFIX + "sample.seed";

  private static final long SHUFFLE_SALT = 0x53485546464C4531L;
  private static final long SAMPLE_SALT = 0x53414D504C453031L;

  /**
   * Encodes as Lance config entries.
   *
   * @return the entries (none when neither shuffled nor sampled)
   */
  public Map<String, String> toConfig() {
    Map<String, String> m = new LinkedHashMap<>();
    shuffleSeed.ifPresent(s -> m.put(SHUFFLE_SEED, Long.toString(s)));
    if (sampleFraction.isPresent()) {
      m.put(SAMPLE_FRACTION, Double.toString(sampleFraction.getAsDouble()));
      m.put(SAMPLE_SEED, Long.toString(sampleSeed));
    }
    return m;
  }

  /**
   * Reads the options from a view table's config.
   *
   * @param config the config
   * @return the options, {@link #NONE} when none are recorded
   */
  public static ViewQueryOptions fromConfig(Map<String, String> config) {
    if (config == null) {
      return NONE;
    }
    String shuffle = config.get(SHUFFLE_SEED);
    String fraction = config.get(SAMPLE_FRACTION);
    return new ViewQueryOptions(
        shuffle == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(shuffle)),
        fraction == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(fraction)),
        fraction == null ? 0 : Long.parseLong(config.getOrDefault(SAMPLE_SEED, "0")));
  }

  /**
   * Tells whether the view is sampled.
   *
   * @return true with a sample fraction below 1
   */
  public boolean isSampled() {
    return sampleFraction.isPresent() && sampleFraction.getAsDouble() < 1.0;
  }

  /**
   * Tells whether a source row belongs to the sample: its hash under the sample's seed, as a
   * uniform number in [0, 1), is below the fraction.
   *
   * @param sourceRowId the row's id in the source
   * @return true when the row is in the view (always, when not sampled)
   */
  public boolean sampled(long sourceRowId) {
    if (!isSampled()) {
      return true;
    }
    double u = (mix(sourceRowId ^ mix(sampleSeed ^ SAMPLE_SALT)) >>> 11) * 0x1.0p-53;
    return u < sampleFraction.getAsDouble();
  }

  /**
   * The position of a source row in the shuffled order: rows are written in ascending unsigned
   * order of this key.
   *
   * @param sourceRowId the row's id in the source
   * @return the key
   */
  public long shuffleKey(long sourceRowId) {
    return mix(sourceRowId ^ mix(shuffleSeed.orElse(0) ^ SHUFFLE_SALT));
  }

  /** SplitMix64's finalizer: a bijection of 64-bit values that mixes every input bit. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
