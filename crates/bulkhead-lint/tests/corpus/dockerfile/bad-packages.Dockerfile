FROM registry.example.com/base:1.0
RUN apt-get install -y vim
RUN apt install -y htop && apt-get dist-upgrade -y
RUN yum install -y httpd
RUN pip install flask
RUN cd /tmp && wget -qO- https://example.com/x.tgz | tar xz
COPY --chmod=666 conf /etc/app/
COPY a b /dest
VOLUME /proc
WORKDIR /proc/app
EXPOSE 70000
USER app:app
HEALTHCHECK CMD true
HEALTHCHECK CMD false
CMD ["a"]
CMD ["b"]
