FROM ubuntu
MAINTAINER someone@example.com
RUN apt-get update
RUN apt-get install curl wget
RUN curl -fsSL https://example.com/install.sh | sh
RUN sudo chmod 777 /srv
ADD app.py /srv/app.py
ADD https://example.com/tool.tar.gz /opt/
EXPOSE 22 80
WORKDIR srv
USER root
CMD python /srv/app.py
