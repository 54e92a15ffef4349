"""A step of nbgrader's feedback: each error reads as its message, without a traceback."""

from nbconvert.preprocessors import Preprocessor


class ErrorMessagesOnly(Preprocessor):
    """Tracebacks quote the test code that ran, hidden tests included; the message of a
    failed check already says what is wrong, so that is all the feedback keeps."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
