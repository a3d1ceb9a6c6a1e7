package dev.geneva.internal.view;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.WriteParams;
import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.ColumnChecks;
import dev.geneva.internal.engine.ColumnNames;
import dev.geneva.internal.engine.SqlFilters;
import dev.geneva.internal.engine.Udfs;
import dev.geneva.internal.engine.ViewAccess;
import dev.geneva.internal.lance.TableConfig;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.udf.ChunkerUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.Udtf;
import dev.geneva.udf.UdtfSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Checks a view definition against its source and creates the empty view table. Everything is
 * checked before the table is created.
 */
public final class ViewCreator {
  private ViewCreator() {}

  /** A checked definition: the view table's schema and its record. */
  public record Definition(Schema schema, ViewMetadata metadata) {}

  /**
   * Checks a definition.
   *
   * @param viewName the view's name
   * @param source the source table
   * @param selected the selected columns, empty for all
   * @param filter the filter, if any
   * @param udtf the UDTF, or null
   * @param udfColumns the UDF columns to add
   * @return the view's schema (without the UDF columns) and record
   * @throws InvalidInputException naming what is wrong and how to fix it
   */
  public static Definition check(
      String viewName,
      TableLocation source,
      List<String> selected,
      Optional<String> filter,
      Udtf udtf,
      Map<String, ? extends Udf> udfColumns) {
    String what = "view '" + viewName + "'";
    Schema sourceSchema;
    try (Dataset ds = source.openLatest()) {
      sourceSchema = ds.getSchema();
      if (filter.isPresent()) {
        SqlFilters.check(what + " filter", filter.get());
        try {
          ds.countRows(SqlFilters.wrap(filter.get()));
        } catch (RuntimeException e) {
          throw new InvalidInputException(
              what
                  + ": the filter \""
                  + filter.get()
                  + "\" is not valid for source table '"
                  + source.name()
                  + "': "
                  + e.getMessage(),
              e);
        }
      }
    }
    List<String> sourceNames = sourceSchema.getFields().stream().map(Field::getName).toList();
    List<String> columns = new ArrayList<>();
    if (selected.isEmpty()) {
      sourceNames.stream().filter(c -> !c.equals(ViewMetadata.SOURCE_ROW_ID)).forEach(columns::add);
    } else {
      for (String c : selected) {
        if (!sourceNames.contains(c)) {
          throw new InvalidInputException(
              what
                  + " selects column '"
                  + c
                  + "', which source table '"
                  + source.name()
                  + "' does not have; its columns are "
                  + sourceNames);
        }
        if (c.equals(ViewMetadata.SOURCE_ROW_ID)) {
          throw new InvalidInputException(
              what
                  + " selects '"
                  + c
                  + "', the column in which a view keeps its source row ids: leave it out (the"
                  + " new view has its own)");
        }
        if (columns.contains(c)) {
          throw new InvalidInputException(what + " selects column '" + c + "' twice");
        }
        columns.add(c);
      }
    }
    List<String> copied = new ArrayList<>(columns);
    Set<String> read = new LinkedHashSet<>(columns);
    List<Field> outputs = List.of();
    if (udtf != null) {
      UdtfRunner.checkInstantiable(udtf);
      UdtfSpec spec;
      try {
        spec = udtf.spec();
      } catch (RuntimeException e) {
        throw new InvalidInputException(
            "UDTF " + udtf.getClass().getName() + ": spec() failed: " + e.getMessage(), e);
      }
      if (spec == null) {
        throw new InvalidInputException(
            "UDTF " + udtf.getClass().getName() + ": spec() returned null");
      }
      for (String in : spec.inputs()) {
        if (!sourceNames.contains(in)) {
          throw new InvalidInputException(
              "UDTF "
                  + udtf.getClass().getName()
                  + " of "
                  + what
                  + " reads column '"
                  + in
                  + "', which source table '"
                  + source.name()
                  + "' does not have; its columns are "
                  + sourceNames);
        }
        read.add(in);
        if (!spec.inheritInputs()) {
          copied.remove(in);
        }
      }
      outputs = spec.outputs();
      for (Field o : outputs) {
        ColumnNames.checkNew("UDTF " + udtf.getClass().getName() + " output", o.getName());
        if (copied.contains(o.getName()) || o.getName().equals(ViewMetadata.SOURCE_ROW_ID)) {
          throw new InvalidInputException(
              "UDTF "
                  + udtf.getClass().getName()
                  + " outputs column '"
                  + o.getName()
                  + "', which "
                  + what
                  + " also copies from the source: rename the output, or leave '"
                  + o.getName()
                  + "' out of the query's select (or set UdtfSpec.inheritInputs(false) if it is"
                  + " an input)");
        }
        List<String> taken = new ArrayList<>(copied);
        taken.add(ViewMetadata.SOURCE_ROW_ID);
        outputs.stream().takeWhile(p -> p != o).forEach(p -> taken.add(p.getName()));
        ColumnNames.checkDistinct(
            "UDTF " + udtf.getClass().getName() + " output of " + what, taken, o.getName());
        if (udtf instanceof ChunkerUdf) {
          try (FieldVector v = o.createVector(source.allocator())) {
            ViewAccess.writer(v, o.getName(), udtf.getClass().getName());
          } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                e.getMessage().replace("ScalarUdf", "ChunkerUdf").replace("BatchUdf", "BatchUdtf"),
                e);
          }
        }
      }
    }
    List<Field> fields = new ArrayList<>();
    for (String c : copied) {
      fields.add(plain(sourceSchema.findField(c)));
    }
    fields.addAll(outputs);
    fields.add(Field.nullable(ViewMetadata.SOURCE_ROW_ID, new ArrowType.Int(64, true)));
    Schema schema = new Schema(fields);
    checkUdfColumns(viewName, schema, udfColumns);
    ViewMetadata meta =
        new ViewMetadata(
            source.name(),
            source.uri(),
            List.copyOf(read),
            filter,
            udtf == null ? Optional.empty() : Optional.of(udtf.getClass().getName()),
            udtf == null ? Optional.empty() : Optional.of(udtf.spec().version()),
            OptionalLong.empty(),
            OptionalLong.empty());
    return new Definition(schema, meta);
  }

  private static void checkUdfColumns(
      String viewName, Schema schema, Map<String, ? extends Udf> udfColumns) {
    List<String> taken = new ArrayList<>();
    schema.getFields().forEach(f -> taken.add(f.getName()));
    for (var e : udfColumns.entrySet()) {
      String column = e.getKey();
      ColumnNames.checkNew("view '" + viewName + "' UDF column", column);
      ColumnNames.checkDistinct(
          "view '"
              + viewName
              + "' UDF column (beside the columns copied from the source or made"
              + " by the UDTF)",
          taken,
          column);
      taken.add(column);
      if (e.getValue() == null) {
        throw new InvalidInputException("the UDF for view column '" + column + "' is null");
      }
      Udfs.checkInstantiable(column, e.getValue());
      UdfSpec spec = e.getValue().spec();
      ColumnChecks.checkInputs(viewName, schema, column, spec);
      ColumnChecks.checkOutput(column, e.getValue().getClass().getName(), spec);
    }
  }

  /** A source field without its metadata (a source UDF column is plain data in the view). */
  private static Field plain(Field f) {
    List<Field> children = new ArrayList<>();
    for (Field c : f.getChildren()) {
      children.add(plain(c));
    }
    return new Field(
        f.getName(), new FieldType(f.isNullable(), f.getType(), f.getDictionary(), null), children);
  }

  /**
   * Creates the empty view table and records the definition.
   *
   * @param location where the view goes
   * @param definition the checked definition
   */
  public static void create(TableLocation location, Definition definition) {
    create(location, definition, ViewQueryOptions.NONE);
  }

  /**
   * Creates the empty view table and records the definition with the query's shuffle and sample.
   *
   * @param location where the view goes
   * @param definition the checked definition
   * @param options the query's shuffle and sample
   */
  public static void create(
      TableLocation location, Definition definition, ViewQueryOptions options) {
    WriteParams params =
        new WriteParams.Builder()
            .withMode(WriteParams.WriteMode.CREATE)
            .withStorageOptions(location.storageOptions())
            .build();
    try {
      Dataset.create(location.allocator(), location.uri(), definition.schema(), params).close();
    } catch (Exception e) {
      throw dev.geneva.internal.lance.LanceErrors.translate(
          "cannot create view table '" + location.name() + "' at " + location.shownUri(),
          location.uri(),
          e);
    }
    Map<String, String> config = new LinkedHashMap<>(definition.metadata().toConfig());
    config.putAll(options.toConfig());
    try (Dataset ds = location.openLatest()) {
      TableConfig.update(ds, config, Set.of());
    }
  }
}
