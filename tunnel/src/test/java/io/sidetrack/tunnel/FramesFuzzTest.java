package io.sidetrack.tunnel;

import net.jqwik.api.PropertyDefaults;

/** {@link FramesProperties} with few tries: part of every build, a few seconds. */
@PropertyDefaults(tries = 300)
class FramesFuzzTest extends FramesProperties {}
