"""What a student writes: an asyncio streams echo server (TCP) or datagram echo (UDP)."""
import asyncio
import sys


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


async def main():
    if len(sys.argv) > 1 and sys.argv[1] == "udp":
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", 0))
        print(f"listening on udp://127.0.0.1:{transport.get_extra_info('sockname')[1]}", flush=True)
        await asyncio.Event().wait()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"listening on tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


asyncio.run(main())
