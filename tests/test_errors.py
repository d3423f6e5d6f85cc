from crispcall.errors import first_line


def test_first_line_quotes_the_first_sentence_or_the_type():
    assert first_line(ValueError("File is not a zip file")) == "File is not a zip file"
    assert first_line(ValueError("Pickled data. Use allow_pickle=True.\nmore")) == "Pickled data"
    assert first_line(EOFError()) == "EOFError"
    assert first_line(OSError("  \n")) == "OSError"
