package io.sidetrack.schemas.serde;

import net.jqwik.api.PropertyDefaults;

/** {@link AvroSerdeProperties} with few tries: part of every build, a few seconds. */
@PropertyDefaults(tries = 300)
class AvroSerdeFuzzTest extends AvroSerdeProperties {}
