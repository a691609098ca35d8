package io.sidetrack.tunnel;

import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Tag;

/** {@link FramesProperties} with many tries, in the slow profile ({@code ./mvnw verify -Pslow}). */
@Tag("slow")
@PropertyDefaults(tries = 10_000)
class FramesFuzzSlowTest extends FramesProperties {}
