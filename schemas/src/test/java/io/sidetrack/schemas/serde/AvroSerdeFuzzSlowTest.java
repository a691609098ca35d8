package io.sidetrack.schemas.serde;

import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Tag;

/**
 * {@link AvroSerdeProperties} with many tries, in the slow profile ({@code ./mvnw verify -Pslow}).
 */
@Tag("slow")
@PropertyDefaults(tries = 10_000)
class AvroSerdeFuzzSlowTest extends AvroSerdeProperties {}
