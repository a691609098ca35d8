package io.sidetrack.edge.proxy;

import net.jqwik.api.PropertyDefaults;

/** {@link Http1Properties} with few tries: part of every build, a few seconds. */
@PropertyDefaults(tries = 300)
class Http1FuzzTest extends Http1Properties {}
