"""The Textual UI of ir-pipeline. It calls ``ir_pipeline`` services and never opens a session."""
