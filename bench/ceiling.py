"""The ceiling: the smallest Flask app, returning a short string. No Flask page can be faster here."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, clinic!"
