package dev.geneva;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An immutable query over a table, the definition of a materialized view: which columns, which
 * rows. Start from {@link Table#query()}; each method returns a new query.
 *
 * <pre>{@code
 * Query q = docs.query().select("id", "text").where("lang = 'en'");
 * MaterializedView v = db.createMaterializedView("english_docs", q, Map.of("len", new TextLength()));
 * }</pre>
 *
 * <p>{@link #sample(double, long)} keeps a seeded pseudo-random fraction of the source rows and
 * {@link #shuffle(long)} writes the view's rows in a seeded pseudo-random order; both depend only
 * on the seed and each source row's id, so refreshes treat appended rows by the same rule.
 */
public final class Query {
  private final Table source;
  private final List<String> columns;
  private final String filter;
  private final OptionalLong shuffleSeed;
  private final OptionalDouble sampleFraction;
  private final long sampleSeed;

  private Query(
      Table source,
      List<String> columns,
      String filter,
      OptionalLong shuffleSeed,
      OptionalDouble sampleFraction,
      long sampleSeed) {
    this.source = Objects.requireNonNull(source, "source");
    this.columns = List.copyOf(columns);
    this.filter = filter;
    this.shuffleSeed = shuffleSeed;
    this.sampleFraction = sampleFraction;
    this.sampleSeed = sampleSeed;
  }

  static Query of(Table source) {
    return new Query(source, List.of(), null, OptionalLong.empty(), OptionalDouble.empty(), 0);
  }

  /**
   * Selects the columns to copy into the view (all of the source's, by default). They are checked
   * when the view is created.
   *
   * @param columns one or more source columns
   * @return the new query
   */
  public Query select(String... columns) {
    return select(List.of(columns));
  }

  /**
   * Selects the columns to copy into the view.
   *
   * @param columns one or more source columns; empty for all
   * @return the new query
   */
  public Query select(List<String> columns) {
    return new Query(source, columns, filter, shuffleSeed, sampleFraction, sampleSeed);
  }

  /**
   * Keeps only the source rows matching a Lance SQL predicate.
   *
   * @param filter a predicate such as {@code "lang = 'en'"}, or null for all rows
   * @return the new query
   */
  public Query where(String filter) {
    return new Query(source, columns, filter, shuffleSeed, sampleFraction, sampleSeed);
  }

  /**
   * Writes the view's rows in a pseudo-random order drawn from {@code seed}: the rows each refresh
   * adds are written in the order of a hash of (seed, source row id). A first refresh therefore
   * writes the whole view shuffled; a later one appends its new rows, shuffled among themselves,
   * after the rows already there. The same seed gives the same order. Not offered for UDTF views
   * (shuffle a materialized view of the UDTF view instead).
   *
   * @param seed the seed, recorded in the view
   * @return the new query
   */
  public Query shuffle(long seed) {
    return new Query(source, columns, filter, OptionalLong.of(seed), sampleFraction, sampleSeed);
  }

  /**
   * Shuffles with a random seed, drawn now and recorded in the view; see {@link #shuffle(long)}.
   *
   * @return the new query
   */
  public Query shuffle() {
    return shuffle(ThreadLocalRandom.current().nextLong());
  }

  /**
   * Keeps a pseudo-random fraction of the source rows (those matching the filter): a row is kept
   * when a hash of (seed, source row id), read as a number in [0, 1), is below {@code fraction}. A
   * row's membership never changes while it lives, so a refresh samples appended rows by the same
   * rule and equals a view built from scratch; the number of rows kept is {@code fraction} of the
   * rows on average, not exactly.
   *
   * @param fraction the fraction to keep, more than 0 and at most 1
   * @param seed the seed, recorded in the view
   * @return the new query
   * @throws InvalidInputException for a fraction outside (0, 1]
   */
  public Query sample(double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new InvalidInputException(
          "Query.sample fraction must be more than 0 and at most 1, got "
              + fraction
              + ": pass e.g. 0.1 to keep about a tenth of the source rows");
    }
    return new Query(source, columns, filter, shuffleSeed, OptionalDouble.of(fraction), seed);
  }

  /**
   * Samples with a random seed, drawn now and recorded in the view; see {@link #sample(double,
   * long)}.
   *
   * @param fraction the fraction to keep, more than 0 and at most 1
   * @return the new query
   */
  public Query sample(double fraction) {
    return sample(fraction, ThreadLocalRandom.current().nextLong());
  }

  /**
   * The source table.
   *
   * @return the table
   */
  public Table source() {
    return source;
  }

  /**
   * The selected columns; empty means all.
   *
   * @return the column names
   */
  public List<String> columns() {
    return columns;
  }

  /**
   * The filter.
   *
   * @return the predicate, or empty for all rows
   */
  public Optional<String> filter() {
    return Optional.ofNullable(filter);
  }

  /**
   * The shuffle's seed.
   *
   * @return the seed, or empty when the view keeps the source's order
   */
  public OptionalLong shuffleSeed() {
    return shuffleSeed;
  }

  /**
   * The fraction of source rows the sample keeps.
   *
   * @return the fraction, or empty when not sampled
   */
  public OptionalDouble sampleFraction() {
    return sampleFraction;
  }

  /**
   * The sample's seed.
   *
   * @return the seed, or empty when not sampled
   */
  public OptionalLong sampleSeed() {
    return sampleFraction.isPresent() ? OptionalLong.of(sampleSeed) : OptionalLong.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Query q
        && source.uri().equals(q.source.uri())
        && columns.equals(q.columns)
        && Objects.equals(filter, q.filter)
        && shuffleSeed.equals(q.shuffleSeed)
        && sampleFraction.equals(q.sampleFraction)
        && sampleSeed == q.sampleSeed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source.uri(), columns, filter, shuffleSeed, sampleFraction, sampleSeed);
  }

  @Override
  public String toString() {
    return "Query{source="
        + source.name()
        + ", columns="
        + (columns.isEmpty() ? "*" : columns)
        + (filter == null ? "" : ", where=" + filter)
        + (shuffleSeed.isPresent() ? ", shuffleSeed=" + shuffleSeed.getAsLong() : "")
        + (sampleFraction.isPresent()
            ? ", sample=" + sampleFraction.getAsDouble() + ", sampleSeed=" + sampleSeed
            : "")
        + "}";
  }
}
