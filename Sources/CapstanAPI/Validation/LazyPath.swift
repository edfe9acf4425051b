/// A field path the semantic rules build only when they report an error: most fields are fine,
/// and materialising a `FieldPath` (an array copy per step) for every field they look at cost
/// more than the checks themselves. Rules take it as a non-escaping closure parameter, so the
/// closures they pass down (`{ path().child("spec") }`) live on the stack and cost nothing
/// until an error calls them.
typealias LazyPath = () -> FieldPath
