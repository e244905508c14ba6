import getpass, os
password = getpass.getpass()
token = request.headers.get("X-Token")
def check_password(password: str) -> bool:
    secret = None
    api_key = settings.API_KEY
    if password == "":
        return False
# the token is read from the environment
db_password = os.environ["DB_PASSWORD"]
access_key = config.get_access_key()
secret_token = generate_secret_token()
PASSWORD_MIN_LENGTH = 12
token: str = Field(..., description="API token")
