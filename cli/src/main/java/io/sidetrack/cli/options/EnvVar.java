package io.sidetrack.cli.options;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an {@code @Option} field as settable from an environment variable. Without a value the
 * variable is derived from the option's longest name ({@code --foo-bar} → {@code
 * SIDETRACK_FOO_BAR}); a value names it explicitly, for the names that predate the convention
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code SCHEMA_REGISTRY_URL}, {@code SIDETRACK_ROUTER_LISTEN}).
 *
 * <p>Opt-in, so that flags which never had a variable (such as {@code --verbose}) do not gain one
 * by accident.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface EnvVar {
  /** The variable's name; empty means derived from the option's longest name. */
  String value() default "";
}
