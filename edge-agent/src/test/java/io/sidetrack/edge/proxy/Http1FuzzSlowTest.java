package io.sidetrack.edge.proxy;

import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Tag;

/** {@link Http1Properties} with many tries, in the slow profile ({@code ./mvnw verify -Pslow}). */
@Tag("slow")
@PropertyDefaults(tries = 10_000)
class Http1FuzzSlowTest extends Http1Properties {}
