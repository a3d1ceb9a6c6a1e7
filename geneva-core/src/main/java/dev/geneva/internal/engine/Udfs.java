package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;
import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.Udf;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/** Finds and instantiates UDF classes by name. */
public final class Udfs {
  private Udfs() {}

  /**
   * Checks that a UDF instance can be recreated from its class name in another JVM.
   *
   * @param column the column it computes (for messages)
   * @param udf the instance
   */
  public static void checkInstantiable(String column, Udf udf) {
    Class<?> type = udf.getClass();
    String problem = classProblem(type);
    if (problem != null) {
      throw new InvalidInputException(
          "UDF for column '"
              + column
              + "' ("
              + type.getName()
              + ") "
              + problem
              + ": Geneva recreates UDFs by class name on the workers, so a UDF must be a public"
              + " top-level or static nested class with a public no-argument constructor");
    }
    if (!(udf instanceof ScalarUdf<?>) && !(udf instanceof BatchUdf)) {
      throw new InvalidInputException(
          "UDF for column '"
              + column
              + "' ("
              + type.getName()
              + ") implements neither ScalarUdf nor BatchUdf: implement one of them");
    }
  }

  /**
   * Tells why a class cannot be recreated from its name by a public no-argument constructor.
   *
   * @param type the class
   * @return the reason, or null when it can be
   */
  public static String classProblem(Class<?> type) {
    String problem = null;
    if (type.isAnonymousClass() || type.isSynthetic() || type.isLocalClass()) {
      problem = "is anonymous, local or a lambda";
    } else if (!Modifier.isPublic(type.getModifiers())) {
      problem = "is not public";
    } else if (type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
      problem = "is an inner (non-static) class";
    } else {
      try {
        Constructor<?> c = type.getConstructor();
        if (!Modifier.isPublic(c.getModifiers())) {
          problem = "has no public no-argument constructor";
        }
      } catch (NoSuchMethodException e) {
        problem = "has no public no-argument constructor";
      }
    }
    return problem;
  }

  /**
   * Creates a UDF from its class name using the thread's context class loader.
   *
   * @param className the class name stored in the column's metadata
   * @param column the column (for messages)
   * @return a new instance
   */
  public static Udf instantiate(String className, String column) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = Udfs.class.getClassLoader();
    }
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new InvalidInputException(
          "UDF class "
              + className
              + " for column '"
              + column
              + "' is not on the classpath: add the jar that contains it to this JVM (and to the"
              + " jars shipped to the cluster)",
          e);
    }
    if (!Udf.class.isAssignableFrom(type)) {
      throw new InvalidInputException(
          "class " + className + " stored for column '" + column + "' is not a dev.geneva Udf");
    }
    try {
      return (Udf) type.getConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw new InvalidInputException(
          "constructor of UDF " + className + " for column '" + column + "' threw", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new InvalidInputException(
          "cannot instantiate UDF "
              + className
              + " for column '"
              + column
              + "': it needs a public no-argument constructor",
          e);
    }
  }
}
