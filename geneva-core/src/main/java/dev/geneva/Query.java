package dev.geneva;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable query over a table, the definition of a materialized view: which columns, which
 * rows. Start from {@link Table#query()}; each method returns a new query.
 *
 * <pre>{@code
 * Query q = docs.query().select("id", "text").where("lang = 'en'");
 * MaterializedView v = db.createMaterializedView("english_docs", q, Map.of("len", new TextLength()));
 * }</pre>
 */
public final class Query {
  private final Table source;
  private final List<String> columns;
  private final String filter;

  private Query(Table source, List<String> columns, String filter) {
    this.source = Objects.requireNonNull(source, "source");
    this.columns = List.copyOf(columns);
    this.filter = filter;
  }

  static Query of(Table source) {
    return new Query(source, List.of(), null);
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
    return new Query(source, columns, filter);
  }

  /**
   * Keeps only the source rows matching a Lance SQL predicate.
   *
   * @param filter a predicate such as {@code "lang = 'en'"}, or null for all rows
   * @return the new query
   */
  public Query where(String filter) {
    return new Query(source, columns, filter);
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

  @Override
  public boolean equals(Object o) {
    return o instanceof Query q
        && source.uri().equals(q.source.uri())
        && columns.equals(q.columns)
        && Objects.equals(filter, q.filter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source.uri(), columns, filter);
  }

  @Override
  public String toString() {
    return "Query{source="
        + source.name()
        + ", columns="
        + (columns.isEmpty() ? "*" : columns)
        + (filter == null ? "" : ", where=" + filter)
        + "}";
  }
}
